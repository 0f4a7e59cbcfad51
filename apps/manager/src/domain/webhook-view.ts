// Webhook subscriptions as callers see them, on a job and in a schedule's job template: the database keeps
// each subscription's secret and header values for the deliveries; no answer carries them.
import type { Job, Schedule } from '@jobnik/contracts';

interface StoredWebhook {
  url: string;
  events?: string[] | null;
  headers?: Record<string, string>;
}

type WebhookView = Job['webhooks'][number];

/** The url, the events and the header names of each subscription; never its secret or a header's value. */
export function webhookViews(stored: unknown): WebhookView[] {
  return ((stored as StoredWebhook[] | null | undefined) ?? []).map((w) => ({
    url: w.url,
    events: w.events ?? null,
    ...(w.headers ? { headers: Object.keys(w.headers).sort() } : {}),
  }));
}

/** A schedule as callers see it: its template's webhooks shown as a job shows them. */
export function scheduleView(s: Schedule): Schedule {
  const template = s.jobTemplate;
  return template.webhooks === undefined ? s : { ...s, jobTemplate: { ...template, webhooks: webhookViews(template.webhooks) } };
}
