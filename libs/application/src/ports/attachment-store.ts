import type { Readable } from 'node:stream';

/** Where the attachments of scheduled messages are kept (the object store's bucket). */
export abstract class AttachmentStore {
  abstract exists(objectKey: string): Promise<boolean>;
  abstract getStream(objectKey: string): Promise<Readable>;
}
