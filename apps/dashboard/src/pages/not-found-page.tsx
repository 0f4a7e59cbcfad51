// Any path the dashboard has no page for.
import { Link } from 'wouter';

export function NotFoundPage() {
  return (
    <section className="empty">
      <h1>Page not found</h1>
      <p>
        There is no dashboard page here. Go to the <Link href="/">overview</Link> or the <Link href="/jobs">jobs list</Link>.
      </p>
    </section>
  );
}
