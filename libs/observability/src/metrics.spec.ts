import { Metrics } from './metrics';

const value = async (metrics: Metrics, name: string, labels: Record<string, string> = {}) => {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((entry) => entry.name === name);
  const sample = metric?.values.find((entry) =>
    Object.entries(labels).every(([key, wanted]) => entry.labels[key] === wanted),
  );
  return sample?.value;
};

describe('Metrics', () => {
  it('counts what committed appends recorded, failures by reason', async () => {
    const metrics = new Metrics('delivery');
    metrics.recordAppended([
      {
        type: 'MessageScheduled',
        data: {
          messageId: 'm',
          recipients: ['u'],
          text: 't',
          scheduledAt: '2026-11-29T10:00:00.000Z',
          attachments: [],
        },
      },
      { type: 'RecipientDelivered', data: { messageId: 'm', userId: 'u', chatId: '1' } },
      {
        type: 'RecipientDeliveryFailed',
        data: { messageId: 'm', userId: 'v', code: 'blocked', reason: 'Forbidden' },
      },
      {
        type: 'RecipientDeliveryFailed',
        data: { messageId: 'm', userId: 'w', code: 'blocked', reason: 'Forbidden' },
      },
    ] as Parameters<Metrics['recordAppended']>[0]);

    expect(await value(metrics, 'sm_messages_scheduled_total')).toBe(1);
    expect(await value(metrics, 'sm_recipients_delivered_total')).toBe(1);
    expect(await value(metrics, 'sm_recipients_failed_total', { reason: 'blocked' })).toBe(2);
    expect(
      await value(metrics, 'sm_events_appended_total', { type: 'RecipientDeliveryFailed' }),
    ).toBe(2);
    expect(await value(metrics, 'sm_messages_sent_total')).toBe(0);
  });

  it('refreshes gauges before rendering, and renders despite a refresher that fails', async () => {
    const metrics = new Metrics('api');
    metrics.onScrape(() => Promise.reject(new Error('database away')));
    metrics.onScrape(async () => {
      metrics.outboxLag.set(42);
    });
    const text = await metrics.render();
    expect(text).toContain('sm_outbox_lag_positions{app="api"} 42');
    expect(text).toContain('process_resident_memory_bytes');
  });
});
