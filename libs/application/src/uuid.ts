const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids that are not UUIDs name nothing; checked before a query would fail on the uuid cast. */
export const isUuid = (value: string): boolean => UUID.test(value);
