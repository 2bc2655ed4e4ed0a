import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';

/**
 * Where the console's build is: dist/console, beside dist/apps when the API runs from dist/, and
 * under the repository's dist/ when it runs from its sources (the tests).
 */
export function consoleDirectory(): string | undefined {
  const candidates = [
    join(__dirname, '..', '..', '..', '..', 'console'),
    join(__dirname, '..', '..', '..', '..', 'dist', 'console'),
  ];
  return candidates.find((directory) => existsSync(join(directory, 'index.html')));
}

/**
 * What the console's pages may load and do: its own scripts only (never inline ones, so text
 * that reaches the page can never run), its own API, images and fonts it carries itself (blob:,
 * data:), and no framing. Inline styles are allowed: the calendar injects its own at run time.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  // The calendar's arrows are an icon font inlined in its styles.
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Built assets carry a hash of their content in their name: they never change. */
const HASHED_ASSET = /^\/assets\//;

/**
 * Serves the web console at /console, before the API's routes and outside its key check (the
 * pages hold no data: everything they show comes from the API, with the key the user signs in
 * with). Hashed assets are cached for a year; the page itself is revalidated on every load, so a
 * new build reaches the browser at once. Any other path under /console is the page (the console
 * routes in the browser).
 */
export function mountConsole(app: NestExpressApplication): void {
  const directory = consoleDirectory();
  const router = express.Router();
  router.use((_request: Request, response: Response, next: NextFunction) => {
    response.setHeader('Content-Security-Policy', CONSOLE_CONTENT_SECURITY_POLICY);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
  if (!directory) {
    router.use((_request: Request, response: Response) => {
      response
        .status(503)
        .type('text/plain')
        .send('The console is not built: run `npm run build` (npm start does).');
    });
    app.use('/console', router);
    return;
  }
  router.use(
    express.static(directory, {
      index: false,
      redirect: false,
      setHeaders: (response, path) => {
        const relative = path.slice(directory.length).replaceAll('\\', '/');
        response.setHeader(
          'Cache-Control',
          HASHED_ASSET.test(relative) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    }),
  );
  router.use((request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    // A missing asset is a 404, not the page: a stale page asking for an old build's file.
    if (HASHED_ASSET.test(request.path)) return next();
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(join(directory, 'index.html'));
  });
  app.use('/console', router);
}
