import { randomUUID } from 'node:crypto';
import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type Logger,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import multer, { MulterError, type StorageEngine } from 'multer';
import type { Observable } from 'rxjs';
import { ApiConfig } from '../../../../libs/config/src/config';
import { EmptyObjectError, ObjectStorage } from '../../../../libs/storage/src/object-storage';
import { decideContentType, SNIFF_BYTES } from '../../../../libs/storage/src/content-type';
import { IMAGE_HEAD_BYTES, imageDimensionsOf } from '../../../../libs/storage/src/image-dimensions';
import { peekStream } from '../../../../libs/storage/src/peek-stream';
import { ApiError } from './api-error';
import { EXTRA_FIELD_LIMITS } from './extra-fields';

/** An attachment as the upload left it in the bucket. */
export interface UploadedAttachment {
  readonly objectKey: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly declaredContentType: string;
  readonly size: number;
  readonly sha256: string;
  /** A JPEG's or PNG's width and height, read from its head; null for other files. */
  readonly image: { readonly width: number; readonly height: number } | null;
}

interface UploadRequest extends Request {
  messageId?: string;
  uploadCount?: number;
}

const FILE_FIELD = 'files';

/** Text fields a multipart body may hold at all; beyond, it is refused as TOO_MANY_PARTS. */
const TEXT_FIELDS_MAX = 64;
/** Longer field names are refused while parsing, before the form is read. */
const FIELD_NAME_BYTES_MAX = 4 * EXTRA_FIELD_LIMITS.nameLength;

/**
 * The name a file is stored and sent under, as the client gave it; a name that is empty, holds a
 * path or control characters, or is too long is refused rather than changed behind the client's
 * back.
 */
export function checkFileName(original: string): string {
  const name = original.trim();
  const shown = JSON.stringify(original.slice(0, 80));
  if (name.length === 0)
    throw new ApiError('INVALID_FILE_NAME', 'Every file needs a name (the filename of its part)');
  if (/[/\\]/.test(name))
    throw new ApiError(
      'INVALID_FILE_NAME',
      `File name ${shown} holds a path separator: send the name alone`,
    );
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name))
    throw new ApiError('INVALID_FILE_NAME', `File name ${shown} holds control characters`);
  if (name.length > 255)
    throw new ApiError('INVALID_FILE_NAME', 'File names may be at most 255 characters long');
  return name;
}

/** A multer storage engine that streams each file straight into the object store. */
class ObjectStorageEngine implements StorageEngine {
  constructor(private readonly storage: ObjectStorage) {}

  _handleFile(
    request: Request,
    file: Express.Multer.File,
    callback: (error?: unknown, info?: Partial<Express.Multer.File> & UploadedAttachment) => void,
  ): void {
    const upload = request as UploadRequest;
    let fileName: string;
    try {
      fileName = checkFileName(file.originalname);
    } catch (error) {
      callback(error);
      return;
    }
    const index = (upload.uploadCount = (upload.uploadCount ?? 0) + 1);
    const objectKey = `attachments/${upload.messageId}/${index}-${fileName}`;
    const declaredContentType = file.mimetype || 'application/octet-stream';
    const stored = async () => {
      // The type comes from the bytes; a file whose bytes contradict the client is refused
      // before anything is stored.
      // Enough of the head for an image's size as well as its type.
      const { head, whole } = await peekStream(
        file.stream,
        Math.max(SNIFF_BYTES, IMAGE_HEAD_BYTES),
      );
      if (head.length === 0) throw new ApiError('EMPTY_FILE', `File '${fileName}' is empty`);
      const decision = decideContentType(declaredContentType, head.subarray(0, SNIFF_BYTES));
      if (!decision.ok) {
        whole.resume();
        throw new ApiError(
          'ATTACHMENT_TYPE_MISMATCH',
          `File '${fileName}' is sent as ${declaredContentType} but its bytes are ${decision.detected}`,
          { fileName, declared: declaredContentType, detected: decision.detected },
        );
      }
      const contentType = decision.contentType;
      const image = imageDimensionsOf(contentType, head);
      const object = await this.storage.putStream(objectKey, whole, contentType);
      return { ...object, fileName, contentType, declaredContentType, image };
    };
    stored().then(
      (info) => callback(null, info),
      (error: unknown) =>
        callback(
          error instanceof EmptyObjectError
            ? new ApiError('EMPTY_FILE', `File '${fileName}' is empty`)
            : error,
        ),
    );
  }

  _removeFile(
    _request: Request,
    file: Express.Multer.File & Partial<UploadedAttachment>,
    callback: (error: Error | null) => void,
  ): void {
    if (!file.objectKey) return callback(null);
    this.storage.remove([file.objectKey]).then(
      () => callback(null),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    );
  }
}

/**
 * Parses the multipart body of POST /schedule-message, streaming every `files` part into the
 * object store under `attachments/<message id>/`. When the request fails, multer removes what it
 * had stored; when a later step refuses the request, the controller does.
 */
@Injectable()
export class AttachmentUploadInterceptor implements NestInterceptor {
  private readonly parse;

  constructor(
    private readonly config: ApiConfig,
    storage: ObjectStorage,
  ) {
    this.parse = multer({
      storage: new ObjectStorageEngine(storage),
      defParamCharset: 'utf8',
      // The name as sent, path included, so that a name with a path is refused, not cut.
      preservePath: true,
      limits: {
        fileSize: config.maxFileBytes,
        files: config.maxFilesPerMessage,
        // The route's own fields and up to EXTRA_FIELD_LIMITS.count others, with room for a field
        // given twice to be named as such (DUPLICATE_FIELD); the extra fields' own limits are
        // checked with the form (extra-fields.ts), which names the field.
        fields: TEXT_FIELDS_MAX,
        fieldNameSize: FIELD_NAME_BYTES_MAX,
        fieldSize: 1024 * 1024,
        parts: config.maxFilesPerMessage + TEXT_FIELDS_MAX,
      },
      fileFilter: (_request, file, accept) => {
        if (file.fieldname === FILE_FIELD) return accept(null, true);
        accept(
          new ApiError(
            'UNEXPECTED_FILE_FIELD',
            `Unexpected file field '${file.fieldname}': send files as '${FILE_FIELD}'`,
          ),
        );
      },
    }).any();
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const request = http.getRequest<UploadRequest>();
    if (!request.is('multipart/form-data')) {
      throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'This route takes multipart/form-data');
    }
    request.messageId = randomUUID();
    await new Promise<void>((resolve, reject) =>
      this.parse(request, http.getResponse<Response>(), (error: unknown) =>
        error ? reject(this.describe(error)) : resolve(),
      ),
    );
    return next.handle();
  }

  private describe(error: unknown): Error {
    // Anything but multer's own limits (a storage failure, say) passes through unchanged.
    if (!(error instanceof MulterError)) {
      if (
        error instanceof Error &&
        /Unexpected end of form|Malformed part header|Multipart: Boundary not found/i.test(
          error.message,
        )
      ) {
        return new ApiError(
          'MALFORMED_MULTIPART',
          `The multipart body could not be read: ${error.message}`,
        );
      }
      return error instanceof Error ? error : new Error(String(error));
    }
    switch (error.code) {
      case 'LIMIT_FILE_SIZE':
        return new ApiError(
          'ATTACHMENT_TOO_LARGE',
          `A file is larger than the limit of ${this.config.maxFileBytes} bytes`,
          {
            max: this.config.maxFileBytes,
          },
        );
      case 'LIMIT_FILE_COUNT':
        return new ApiError(
          'TOO_MANY_ATTACHMENTS',
          `At most ${this.config.maxFilesPerMessage} files per message`,
          {
            max: this.config.maxFilesPerMessage,
          },
        );
      case 'LIMIT_FIELD_VALUE':
        return new ApiError('FIELD_TOO_LONG', `Field '${error.field ?? ''}' is too long`);
      case 'LIMIT_UNEXPECTED_FILE':
        return new ApiError(
          'UNEXPECTED_FILE_FIELD',
          `Unexpected file field '${error.field ?? ''}': send files as '${FILE_FIELD}'`,
        );
      case 'LIMIT_FIELD_KEY':
        // Only a field the route does not take can have so long a name.
        return new ApiError(
          'EXTRA_FIELD_NAME_TOO_LONG',
          `A field name is longer than ${EXTRA_FIELD_LIMITS.nameLength} characters`,
          { max: EXTRA_FIELD_LIMITS.nameLength },
        );
      case 'LIMIT_PART_COUNT':
      case 'LIMIT_FIELD_COUNT':
      case 'MISSING_FIELD_NAME':
        return new ApiError('TOO_MANY_PARTS', 'The multipart body has too many parts or fields');
    }
  }
}

/** The attachments stored for this request, in the order they were sent. */
export function uploadedAttachments(request: Request): UploadedAttachment[] {
  const files = (request.files ?? []) as unknown as (Express.Multer.File & UploadedAttachment)[];
  return files
    .filter((file) => file.objectKey)
    .sort((a, b) => a.objectKey.localeCompare(b.objectKey, 'en', { numeric: true }))
    .map(({ objectKey, fileName, contentType, declaredContentType, size, sha256, image }) => ({
      objectKey,
      fileName,
      contentType,
      declaredContentType,
      size,
      sha256,
      image,
    }));
}

/** Removes what this request uploaded, when the request is refused or answered without running. */
export async function discardUploads(
  storage: ObjectStorage,
  request: Request,
  logger: Logger,
): Promise<void> {
  const keys = uploadedAttachments(request).map((file) => file.objectKey);
  if (keys.length === 0) return;
  await storage
    .remove(keys)
    .catch((error: unknown) =>
      logger.error(
        `Could not remove the uploads of ${request.method} ${request.path}: ${String(error)}`,
      ),
    );
}

export function uploadMessageId(request: Request): string {
  const id = (request as UploadRequest).messageId;
  if (!id) throw new Error('AttachmentUploadInterceptor did not run');
  return id;
}
