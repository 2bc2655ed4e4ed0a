import { SetMetadata } from '@nestjs/common';

/** Metadata key read by the API key guard. */
export const PUBLIC_ROUTE = 'public-route';

/** Marks a route that needs no API key: health, metrics, the root and the docs. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
