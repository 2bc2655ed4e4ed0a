import { Logger } from '@nestjs/common';

// Integration tests provoke failures on purpose (cut connections, refused requests): keep the
// output to errors.
Logger.overrideLogger(['error']);
// The in-process API's request lines (pino-http) too; apps spawned as processes keep their own
// environment, and their JSON lines, which tests read.
process.env.LOG_LEVEL ??= 'silent';
