// The shell: header with navigation and sign-out, the API-key form when the manager asks for one, and the pages.
import { Link, Route, Switch, useLocation } from 'wouter';
import { authStore } from './api/auth-store.js';
import { ApiKeyForm } from './components/api-key-form.js';
import { useAuth } from './hooks/use-auth.js';
import { JobPage } from './pages/job/job-page.js';
import { JobsPage } from './pages/jobs/jobs-page.js';
import { NotFoundPage } from './pages/not-found-page.js';
import { OverviewPage } from './pages/overview/overview-page.js';
import { SchedulesPage } from './pages/schedules/schedules-page.js';

const NAV = [
  { href: '/', label: 'Overview', active: (path: string) => path === '/' },
  { href: '/jobs', label: 'Jobs', active: (path: string) => path.startsWith('/jobs') },
  { href: '/schedules', label: 'Schedules', active: (path: string) => path.startsWith('/schedules') },
];

export function App() {
  const auth = useAuth();
  const [path] = useLocation();
  return (
    <div className="shell">
      <header className="topbar">
        <Link href="/" className="brand">
          <span className="brand__mark" aria-hidden="true" />
          Jobnik
        </Link>
        <nav aria-label="Main" className="topbar__nav">
          {NAV.map((n) => (
            <Link key={n.href} href={n.href} className="topbar__link" aria-current={n.active(path) ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <div className="topbar__end">
          {auth.apiKey && (
            <button type="button" className="button button--ghost button--small" onClick={() => authStore.signOut()} data-testid="sign-out">
              Sign out
            </button>
          )}
        </div>
      </header>
      <main className="content">
        {auth.needsKey ? (
          <ApiKeyForm rejectedKey={auth.apiKey !== null} />
        ) : (
          <Switch>
            <Route path="/" component={OverviewPage} />
            <Route path="/jobs" component={JobsPage} />
            <Route path="/jobs/:jobId">{(params) => <JobPage key={params.jobId} jobId={params.jobId} />}</Route>
            <Route path="/schedules" component={SchedulesPage} />
            <Route component={NotFoundPage} />
          </Switch>
        )}
      </main>
    </div>
  );
}
