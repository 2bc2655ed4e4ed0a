import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { ApiError } from './api-error';

/** Refuses a body that is not JSON before validation runs, so the client hears why. */
@Injectable()
export class RequireJsonInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!context.switchToHttp().getRequest<Request>().is('application/json')) {
      throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'This route takes application/json');
    }
    return next.handle();
  }
}
