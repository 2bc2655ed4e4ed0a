import {
  type Attachment,
  DEFAULT_SEND_OPTIONS,
  type DomainEventType,
  type MessageScheduled,
  type MessageSendOptions,
  type OccurrencePlanned,
  type SeriesChanged,
  type SeriesCreated,
  type UserSubscribed,
} from './events';

/**
 * The schema version each event type is written with now. An event's data changes shape only
 * with a new version here and an upcaster from the one before, so that every event ever stored
 * still reads in the current shape: the log is never rewritten.
 */
export const CURRENT_SCHEMA_VERSION: Readonly<Record<DomainEventType, number>> = {
  UserSubscribed: 2,
  UserUnsubscribed: 1,
  UserChatMigrated: 1,
  SubscriberTimeZoneSet: 1,
  SubscriberProfileChanged: 1,
  SubscriberJoinedTopic: 1,
  SubscriberLeftTopic: 1,
  TopicCreated: 1,
  TopicRenamed: 1,
  TopicDeleted: 1,
  MessageScheduled: 11,
  MessageCancelled: 1,
  MessageRescheduled: 1,
  MessageDue: 1,
  MessageMissed: 1,
  RecipientPartSent: 1,
  RecipientDelivered: 1,
  RecipientDeliveryFailed: 1,
  MessageSent: 1,
  AudienceResolved: 1,
  AudiencePartSent: 1,
  AudienceRevisionDue: 1,
  MessageEdited: 1,
  RecipientEdited: 1,
  RecipientEditFailed: 1,
  MessageRecalled: 1,
  RecipientRecalled: 1,
  RecipientRecallFailed: 1,
  SeriesCreated: 7,
  SeriesChanged: 6,
  SeriesPaused: 1,
  SeriesResumed: 1,
  SeriesEnded: 1,
  OccurrencePlanned: 2,
  OccurrenceSkipped: 1,
  OccurrenceMoved: 1,
  OccurrenceEdited: 1,
  OccurrencesMissed: 1,
};

/** Send options as versions before albums wrote them. */
type SendOptionsBeforeAlbums = Omit<MessageSendOptions, 'asAlbum'>;

/** Send options as versions before parse modes (and delete_after) wrote them. */
type SendOptionsBeforeParseMode = Omit<
  SendOptionsBeforeAlbums,
  'parseMode' | 'deleteAfter' | 'sendAs'
>;

/** Every text plain, and kept: what send options without a parse mode meant. */
const withPlainText = (options: SendOptionsBeforeParseMode): SendOptionsBeforeAlbums => ({
  ...options,
  parseMode: 'plain',
  deleteAfter: null,
  sendAs: 'documents',
});

/** Every file on its own: what send options without `asAlbum` meant. */
const withoutAlbums = (options: SendOptionsBeforeAlbums): MessageSendOptions => ({
  ...options,
  asAlbum: false,
});

/** An attachment as versions before image sizes wrote it. */
type AttachmentBeforeImages = Omit<Attachment, 'image'>;

/** Every image of unknown size: what attachments without `image` meant. */
const withoutImageSizes = (attachments: readonly AttachmentBeforeImages[]): readonly Attachment[] =>
  attachments.map((attachment) => ({ ...attachment, image: null }));

/** MessageScheduled as version 10 wrote it: no image sizes. */
interface MessageScheduledV10Data extends Omit<MessageScheduled['data'], 'attachments'> {
  readonly attachments: readonly AttachmentBeforeImages[];
}

/** MessageScheduled as version 9 wrote it: no albums. */
interface MessageScheduledV9Data extends Omit<MessageScheduledV10Data, 'sendOptions'> {
  readonly sendOptions: SendOptionsBeforeAlbums;
}

/** MessageScheduled as version 8 wrote it: no parse mode. */
interface MessageScheduledV8Data extends Omit<MessageScheduledV9Data, 'sendOptions'> {
  readonly sendOptions: SendOptionsBeforeParseMode;
}

/** MessageScheduled as version 7 wrote it: no buttons. */
type MessageScheduledV7Data = Omit<MessageScheduledV8Data, 'buttons'>;

/** MessageScheduled as version 6 wrote it: no send options. */
type MessageScheduledV6Data = Omit<MessageScheduledV7Data, 'sendOptions'>;

/** MessageScheduled as version 5 wrote it: no paid broadcasts. */
type MessageScheduledV5Data = Omit<MessageScheduledV6Data, 'paidBroadcast'>;

/** MessageScheduled as version 4 wrote it: every message to a list of user ids. */
type MessageScheduledV4Data = Omit<MessageScheduledV5Data, 'audience'>;

/** MessageScheduled as version 3 wrote it: no series. */
type MessageScheduledV3Data = Omit<MessageScheduledV4Data, 'series'>;

/** MessageScheduled as version 2 wrote it: no sender label. */
type MessageScheduledV2Data = Omit<MessageScheduledV3Data, 'fromSender'>;

/** MessageScheduled as version 1 wrote it: attachments without declaredContentType. */
interface MessageScheduledV1Data extends Omit<MessageScheduledV2Data, 'attachments'> {
  readonly attachments: readonly Omit<AttachmentBeforeImages, 'declaredContentType'>[];
}

/** SeriesCreated as version 6 wrote it: no image sizes. */
interface SeriesCreatedV6Data extends Omit<SeriesCreated['data'], 'attachments'> {
  readonly attachments: readonly AttachmentBeforeImages[];
}

/** Series events as version 5 wrote them: no albums. */
interface SeriesCreatedV5Data extends Omit<SeriesCreatedV6Data, 'sendOptions'> {
  readonly sendOptions: SendOptionsBeforeAlbums;
}
interface SeriesChangedV5Data extends Omit<SeriesChanged['data'], 'sendOptions'> {
  readonly sendOptions: SendOptionsBeforeAlbums | null;
}

/** Series events as version 4 wrote them: no parse mode. */
interface SeriesCreatedV4Data extends Omit<SeriesCreatedV5Data, 'sendOptions'> {
  readonly sendOptions: SendOptionsBeforeParseMode;
}
interface SeriesChangedV4Data extends Omit<SeriesChangedV5Data, 'sendOptions'> {
  readonly sendOptions: SendOptionsBeforeParseMode | null;
}

/** SeriesCreated as version 3 wrote it: no send options or buttons. */
type SeriesCreatedV3Data = Omit<SeriesCreatedV4Data, 'sendOptions' | 'buttons'>;

/** Series events as version 2 wrote them: every series to a list of user ids. */
type SeriesCreatedV2Data = Omit<SeriesCreatedV3Data, 'audience'>;
type SeriesChangedV3Data = Omit<SeriesChangedV4Data, 'sendOptions' | 'buttons'>;
type SeriesChangedV2Data = Omit<SeriesChangedV3Data, 'audience'>;

/** Series events as version 1 wrote them: every series at its own zone's time, one message per occurrence. */
type SeriesCreatedV1Data = Omit<SeriesCreatedV2Data, 'atRecipientLocalTime'>;
type SeriesChangedV1Data = Omit<SeriesChangedV2Data, 'atRecipientLocalTime'>;
type OccurrencePlannedV1Data = Omit<
  OccurrencePlanned['data'],
  'zone' | 'recipients' | 'planNextAt'
>;

/** UserSubscribed as version 1 wrote it: no names of the user, no kind of chat. */
type UserSubscribedV1Data = Omit<UserSubscribed['data'], 'profile' | 'chatType'>;

/** From version n to n + 1, per type. */
const UPCASTERS: Partial<Record<DomainEventType, Record<number, (data: never) => unknown>>> = {
  // Subscribers from before templates and groups: no names known but the chat's, nor its kind.
  UserSubscribed: {
    1: (data: UserSubscribedV1Data): UserSubscribed['data'] => ({
      ...data,
      profile: null,
      chatType: null,
    }),
  },
  MessageScheduled: {
    1: (data: MessageScheduledV1Data): MessageScheduledV2Data => ({
      ...data,
      // Version 1 stored the client's Content-Type as the attachment's type.
      attachments: data.attachments.map((attachment) => ({
        ...attachment,
        declaredContentType: attachment.contentType,
      })),
    }),
    // Messages scheduled before senders were recorded have none.
    2: (data: MessageScheduledV2Data): MessageScheduledV3Data => ({ ...data, fromSender: null }),
    // Messages scheduled before series existed belong to none.
    3: (data: MessageScheduledV3Data): MessageScheduledV4Data => ({ ...data, series: null }),
    // Messages scheduled before audiences existed went to their list of user ids.
    4: (data: MessageScheduledV4Data): MessageScheduledV5Data => ({ ...data, audience: null }),
    // Messages scheduled before paid broadcasts existed were sent within the free limits.
    5: (data: MessageScheduledV5Data): MessageScheduledV6Data => ({
      ...data,
      paidBroadcast: false,
    }),
    // Messages scheduled before send options existed went out with Telegram's defaults.
    6: (data: MessageScheduledV6Data): MessageScheduledV7Data => ({
      ...data,
      sendOptions: DEFAULT_SEND_OPTIONS,
    }),
    // Messages scheduled before buttons existed had none.
    7: (data: MessageScheduledV7Data): MessageScheduledV8Data => ({ ...data, buttons: [] }),
    // Messages scheduled before parse modes were plain text.
    8: (data: MessageScheduledV8Data): MessageScheduledV9Data => ({
      ...data,
      sendOptions: withPlainText(data.sendOptions),
    }),
    // Messages scheduled before albums sent each file on its own.
    9: (data: MessageScheduledV9Data): MessageScheduledV10Data => ({
      ...data,
      sendOptions: withoutAlbums(data.sendOptions),
    }),
    // Messages scheduled before image sizes were read: each image of unknown size.
    10: (data: MessageScheduledV10Data): MessageScheduled['data'] => ({
      ...data,
      attachments: withoutImageSizes(data.attachments),
    }),
  },
  // Series from before recipients' own zones: at the series' zone.
  SeriesCreated: {
    1: (data: SeriesCreatedV1Data): SeriesCreatedV2Data => ({
      ...data,
      atRecipientLocalTime: false,
    }),
    // Series from before audiences: to their list of user ids.
    2: (data: SeriesCreatedV2Data): SeriesCreatedV3Data => ({ ...data, audience: null }),
    // Series from before send options and buttons: Telegram's defaults, none.
    3: (data: SeriesCreatedV3Data): SeriesCreatedV4Data => ({
      ...data,
      sendOptions: DEFAULT_SEND_OPTIONS,
      buttons: [],
    }),
    // Series from before parse modes: plain text.
    4: (data: SeriesCreatedV4Data): SeriesCreatedV5Data => ({
      ...data,
      sendOptions: withPlainText(data.sendOptions),
    }),
    // Series from before albums: each file on its own.
    5: (data: SeriesCreatedV5Data): SeriesCreatedV6Data => ({
      ...data,
      sendOptions: withoutAlbums(data.sendOptions),
    }),
    // Series from before image sizes: each image of unknown size.
    6: (data: SeriesCreatedV6Data): SeriesCreated['data'] => ({
      ...data,
      attachments: withoutImageSizes(data.attachments),
    }),
  },
  SeriesChanged: {
    1: (data: SeriesChangedV1Data): SeriesChangedV2Data => ({
      ...data,
      atRecipientLocalTime: false,
    }),
    2: (data: SeriesChangedV2Data): SeriesChangedV3Data => ({ ...data, audience: null }),
    // Changes from before send options and buttons left them as they were.
    3: (data: SeriesChangedV3Data): SeriesChangedV4Data => ({
      ...data,
      sendOptions: null,
      buttons: null,
    }),
    // Changes from before parse modes kept the text plain.
    4: (data: SeriesChangedV4Data): SeriesChangedV5Data => ({
      ...data,
      sendOptions: data.sendOptions && withPlainText(data.sendOptions),
    }),
    // Changes from before albums: each file on its own.
    5: (data: SeriesChangedV5Data): SeriesChanged['data'] => ({
      ...data,
      sendOptions: data.sendOptions && withoutAlbums(data.sendOptions),
    }),
  },
  OccurrencePlanned: {
    1: (data: OccurrencePlannedV1Data): OccurrencePlanned['data'] => ({
      ...data,
      zone: null,
      recipients: null,
      planNextAt: data.occurrence.at,
    }),
  },
};

export class UnknownSchemaVersionError extends Error {
  constructor(type: string, version: number) {
    super(
      `${type} schema version ${version} is newer than this code knows (${CURRENT_SCHEMA_VERSION[type as DomainEventType]}): deploy the newer code`,
    );
    this.name = 'UnknownSchemaVersionError';
  }
}

export const schemaVersionOf = (type: DomainEventType): number => CURRENT_SCHEMA_VERSION[type];

/** Brings stored event data up to the current shape of its type, one version at a time. */
export function upcast(
  type: DomainEventType,
  version: number,
  data: unknown,
): { data: unknown; schemaVersion: number } {
  const current = CURRENT_SCHEMA_VERSION[type] as number | undefined;
  // Not an event of this code's catalogue: nothing to upcast it with, and not its to refuse.
  if (current === undefined) return { data, schemaVersion: version };
  if (version > current) throw new UnknownSchemaVersionError(type, version);
  let upcast = data;
  for (let from = version; from < current; from++) {
    const step = UPCASTERS[type]?.[from];
    if (!step) throw new Error(`No upcaster for ${type} from schema version ${from}`);
    upcast = step(upcast as never);
  }
  return { data: upcast, schemaVersion: current };
}
