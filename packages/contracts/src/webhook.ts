// Webhooks: a job names URLs to be told about its events; deliveries are signed and retried.
import { z } from 'zod';
import { page, pageQuery, Timestamp, Uuid } from './common.js';

export const WEBHOOK_EVENTS = [
  'job.started',
  'job.completed',
  'job.failed',
  'job.aborted',
  'stage.started',
  'stage.completed',
  'stage.failed',
  'stage.aborted',
  'task.failed',
] as const;

/**
 * Headers a subscription may not set: the delivery's own, and the hop-by-hop ones that describe the connection rather
 * than the request — Node's fetch refuses a request carrying any of those, so every delivery would fail.
 */
export const RESERVED_WEBHOOK_HEADERS = [
  'content-type',
  'content-length',
  'host',
  'user-agent',
  'connection',
  'transfer-encoding',
  'expect',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'proxy-connection',
] as const;

export const WebhookHeaders = z
  .record(
    z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'an HTTP header name (token characters only)')
      .refine((n) => !(RESERVED_WEBHOOK_HEADERS as readonly string[]).includes(n.toLowerCase()) && !n.toLowerCase().startsWith('x-jobnik-'), 'reserved for the delivery itself'),
    z.string().max(1024).regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'no control characters (CR, LF) in a header value'),
  )
  .refine((h) => Object.keys(h).length <= 20, 'at most 20 headers')
  .meta({ id: 'WebhookHeaders', description: 'Extra headers sent with every delivery (e.g. an Authorization for the receiver); values are never returned' });
export const WebhookEvent = z.enum(WEBHOOK_EVENTS).meta({ id: 'WebhookEvent' });
export type WebhookEvent = z.infer<typeof WebhookEvent>;

export const WebhookSubscription = z
  .strictObject({
    url: z.url({ protocol: /^https?$/ }).max(2048),
    events: z
      .array(WebhookEvent)
      .min(1)
      .optional()
      .describe('Default: the final events (job.* and stage.* completed, failed, aborted); job.started, stage.started and task.failed only when listed'),
    secret: z.string().min(8).max(256).optional().describe('HMAC-SHA256 key for the x-jobnik-signature header (default: the manager\'s JOBNIK_WEBHOOK_SECRET)'),
    headers: WebhookHeaders.optional(),
  })
  .meta({ id: 'WebhookSubscription' });
export type WebhookSubscription = z.input<typeof WebhookSubscription>;

export const WebhookDelivery = z
  .object({
    id: z.string(),
    jobId: Uuid,
    event: WebhookEvent,
    url: z.string(),
    attempts: z.number().int(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: Timestamp,
    nextAttemptAt: Timestamp.nullable(),
    deliveredAt: Timestamp.nullable(),
    failedAt: Timestamp.nullable().describe('Set when the attempts ran out'),
  })
  .meta({ id: 'WebhookDelivery' });
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;
export const WebhookDeliveryList = page(WebhookDelivery, 'WebhookDeliveryList');
export const ListWebhookDeliveriesQuery = pageQuery('oldest event first');
export type ListWebhookDeliveriesQuery = z.input<typeof ListWebhookDeliveriesQuery>;

/** Headers of every delivery. The signature is HMAC-SHA256(secret, `${timestamp}.${body}`) in hex. */
export const WEBHOOK_HEADERS = {
  signature: 'x-jobnik-signature',
  timestamp: 'x-jobnik-timestamp',
  event: 'x-jobnik-event',
  delivery: 'x-jobnik-delivery',
} as const;
