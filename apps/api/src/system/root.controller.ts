import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../../../libs/observability/src/public-route';

@ApiTags('system')
@Controller()
export class RootController {
  @Get()
  @Public()
  @ApiOperation({ summary: 'What the API offers' })
  describe() {
    return {
      message: 'Scheduled Message API',
      endpoints: {
        'POST /schedule-message': 'Schedule a new message',
        'POST /subscribe-user': 'Subscribe a new user',
        'GET /pending-messages': 'Get all pending messages',
        'GET /subscribed-users': 'Get all subscribed users',
        'GET /subscribers': 'Subscribers, active or not: ?status=&search=&limit=&cursor=',
        'GET /messages': 'Messages by scheduled time: ?status=&from=&to=&limit=&cursor=',
        'GET /messages/{id}': "A message's status and each recipient's outcome",
        'DELETE /messages/{id}': 'Cancel a message before it is due',
        'PATCH /messages/{id}': 'Reschedule a message before it is due',
        'GET /messages/{id}/files/{n}': "The message's n-th attachment (from 1)",
        'GET /messages/{id}/events': "The message's events, in order",
        'GET /subscribers/{id}/events': "The subscriber's events, in order",
        'GET /events': 'The whole log, a page at a time: ?after=<position>&limit=&type=',
        'GET /events/live': 'The log live, as server-sent events (resumes after Last-Event-ID)',
        'GET /delivery-health':
          'Sends per minute, lateness, failures by code, dead letters, outbox and projection lag',
        'GET /console': 'The web console',
        'GET /health/live': 'Liveness',
        'GET /health/ready':
          'Readiness: database, broker and object store; the Bot API as degraded',
        'GET /metrics': 'Prometheus metrics',
        'GET /docs': 'Interactive API documentation',
      },
      authentication:
        'Authorization: Bearer <key> or X-API-Key: <key> on every route but /, /docs, /health and /metrics',
    };
  }
}
