// An API error (RFC 9457 problem) shown readably: what happened, the machine code, and which fields were wrong.
import type { ApiError } from '../api/api-error.js';

export function ProblemNotice({ error, onDismiss }: { error: ApiError; onDismiss?: () => void }) {
  const p = error.problem;
  return (
    <div className="notice notice--error" role="alert" data-testid="problem" data-code={p.code}>
      <div className="notice__head">
        <strong className="notice__title">{p.title}</strong>
        <span className="notice__meta">
          {p.status > 0 && <span>HTTP {p.status}</span>}
          {p.code && <code>{p.code}</code>}
        </span>
        {onDismiss && (
          <button type="button" className="button button--ghost button--small notice__close" onClick={onDismiss} aria-label="Dismiss error">
            ×
          </button>
        )}
      </div>
      {p.detail && <p className="notice__detail">{p.detail}</p>}
      {p.errors && p.errors.length > 0 && (
        <ul className="notice__issues">
          {p.errors.map((i, n) => (
            <li key={n}>
              <code>{i.path || '/'}</code> {i.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
