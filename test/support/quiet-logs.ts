import { Logger } from '@nestjs/common';

// Integration tests provoke failures on purpose (cut connections, refused requests): keep the
// output to errors.
Logger.overrideLogger(['error']);
