// A titled card: one block of a page, with optional controls on the right of its heading.
import { useId, type ReactNode } from 'react';

export function Section({ title, actions, children, testId, className }: { title: string; actions?: ReactNode; children: ReactNode; testId?: string; className?: string }) {
  const id = useId();
  return (
    <section className={`card${className ? ` ${className}` : ''}`} aria-labelledby={id} data-testid={testId}>
      <div className="card__head">
        <h2 id={id}>{title}</h2>
        {actions && <div className="card__actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

/** A line of muted text in place of a table with nothing to show, or while loading. */
export function Placeholder({ children }: { children: ReactNode }) {
  return <p className="placeholder">{children}</p>;
}
