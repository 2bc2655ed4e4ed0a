import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { UpdateSubscriberProfileHandler } from './commands/update-subscriber-profile/update-subscriber-profile.handler';
import { GetSubscriberHandler } from './queries/get-subscriber/get-subscriber.handler';
import { CancelMessageHandler } from './commands/cancel-message/cancel-message.handler';
import { EditMessageHandler } from './commands/edit-message/edit-message.handler';
import { RecallMessageHandler } from './commands/recall-message/recall-message.handler';
import { RescheduleMessageHandler } from './commands/reschedule-message/reschedule-message.handler';
import { ScheduleMessageHandler } from './commands/schedule-message/schedule-message.handler';
import { SubscribeUserHandler } from './commands/subscribe-user/subscribe-user.handler';
import { UnsubscribeUserHandler } from './commands/unsubscribe-user/unsubscribe-user.handler';
import { ChangeTopicHandler } from './commands/change-topic/change-topic.handler';
import { ChangeTopicMembershipHandler } from './commands/change-topic-membership/change-topic-membership.handler';
import { ListTopicsHandler } from './queries/list-topics/list-topics.handler';
import { ListMessageRecipientsHandler } from './queries/list-message-recipients/list-message-recipients.handler';
import { GetTopicHandler } from './queries/get-topic/get-topic.handler';
import { ListTopicMembersHandler } from './queries/list-topic-members/list-topic-members.handler';
import { SetSubscriberTimeZoneHandler } from './commands/set-subscriber-time-zone/set-subscriber-time-zone.handler';
import { FindSubscriberByChatHandler } from './queries/find-subscriber-by-chat/find-subscriber-by-chat.handler';
import { ListPendingMessagesHandler } from './queries/list-pending-messages/list-pending-messages.handler';
import { ListSubscribersHandler } from './queries/list-subscribers/list-subscribers.handler';
import { ListMessagesHandler } from './queries/list-messages/list-messages.handler';
import { GetMessageHandler } from './queries/get-message/get-message.handler';
import { GetStreamEventsHandler } from './queries/get-stream-events/get-stream-events.handler';
import { ListLogEventsHandler } from './queries/list-log-events/list-log-events.handler';
import { GetLogEndHandler } from './queries/get-log-end/get-log-end.handler';
import { SearchSubscribersHandler } from './queries/search-subscribers/search-subscribers.handler';
import { GetDeliveryHealthHandler } from './queries/get-delivery-health/get-delivery-health.handler';
import { CreateSeriesHandler } from './commands/create-series/create-series.handler';
import { ChangeSeriesHandler } from './commands/change-series/change-series.handler';
import { PauseSeriesHandler } from './commands/pause-series/pause-series.handler';
import { ResumeSeriesHandler } from './commands/resume-series/resume-series.handler';
import { EndSeriesHandler } from './commands/end-series/end-series.handler';
import { ChangeOccurrenceHandler } from './commands/change-occurrence/change-occurrence.handler';
import { GetSeriesHandler } from './queries/get-series/get-series.handler';
import { ListSeriesHandler } from './queries/list-series/list-series.handler';
import { ListOccurrencesHandler } from './queries/list-occurrences/list-occurrences.handler';
import { SeriesDecisions } from './series/series-decision';

/** The use cases: command and query handlers on the CQRS buses. */
@Module({
  imports: [CqrsModule.forRoot()],
  providers: [
    SubscribeUserHandler,
    UnsubscribeUserHandler,
    SetSubscriberTimeZoneHandler,
    ChangeTopicHandler,
    ChangeTopicMembershipHandler,
    ListTopicsHandler,
    ListTopicMembersHandler,
    GetTopicHandler,
    ListMessageRecipientsHandler,
    FindSubscriberByChatHandler,
    UpdateSubscriberProfileHandler,
    GetSubscriberHandler,
    ScheduleMessageHandler,
    CancelMessageHandler,
    EditMessageHandler,
    RecallMessageHandler,
    RescheduleMessageHandler,
    ListPendingMessagesHandler,
    ListSubscribersHandler,
    GetMessageHandler,
    ListMessagesHandler,
    GetStreamEventsHandler,
    ListLogEventsHandler,
    GetLogEndHandler,
    SearchSubscribersHandler,
    GetDeliveryHealthHandler,
    CreateSeriesHandler,
    ChangeSeriesHandler,
    PauseSeriesHandler,
    ResumeSeriesHandler,
    EndSeriesHandler,
    ChangeOccurrenceHandler,
    GetSeriesHandler,
    ListSeriesHandler,
    ListOccurrencesHandler,
    SeriesDecisions,
  ],
  exports: [CqrsModule],
})
export class ApplicationModule {}
