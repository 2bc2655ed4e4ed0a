import { deliveryTopology, workRoutingKey } from './topology';

describe('workRoutingKey: where a dead-lettered delivery message goes when published again', () => {
  const topology = deliveryTopology('events');

  it('keeps the routing key of each kind of work, so that it reaches its own queue', () => {
    for (const key of [
      'MessageDue',
      'AudienceResolved',
      'AudienceRevisionDue',
      'MessageEdited',
      'MessageRecalled',
    ])
      expect(workRoutingKey(topology, key)).toBe(key);
  });

  it('takes one sent straight to the old queue (its name as routing key) as a MessageDue', () => {
    expect(workRoutingKey(topology, topology.legacyQueue)).toBe('MessageDue');
  });
});
