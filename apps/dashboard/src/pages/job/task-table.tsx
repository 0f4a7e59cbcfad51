// A stage's tasks, live: status, attempts, progress, last error, checkpoint and result. Filter by status, page by cursor.
import { useContext, useEffect, useId, useState } from 'react';
import type { Stage, Task, TaskStatus } from '../../api/api-types.js';
import { api } from '../../api/endpoints.js';
import { JsonDetails } from '../../components/json-details.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { ProgressBar } from '../../components/progress-bar.js';
import { RelativeTime } from '../../components/relative-time.js';
import { Placeholder } from '../../components/section.js';
import { StatusBadge } from '../../components/status-badge.js';
import { LiveContext } from '../../hooks/use-event-stream.js';
import { usePolling } from '../../hooks/use-polling.js';
import { formatDuration, fractionToPercent, shortId } from '../../lib/format.js';
import { toQueryString } from '../../lib/query-string.js';
import { TASK_STATUSES, toneOf } from '../../lib/statuses.js';

const PAGE_SIZE = 50;

function TaskRow({ task }: { task: Task }) {
  const exhausted = task.attempts >= task.maxAttempts;
  return (
    <tr data-testid="task-row" data-task-id={task.id} data-status={task.status}>
      <th scope="row" className="mono" title={task.id}>
        {shortId(task.id)}
      </th>
      <td>
        <StatusBadge status={task.status} />
      </td>
      <td className={`num${exhausted && task.status !== 'COMPLETED' ? ' text-danger' : ''}`} data-testid="task-attempts">
        {task.attempts} / {task.maxAttempts}
      </td>
      <td className="cell-progress">
        <ProgressBar percent={fractionToPercent(task.progress)} label={`Progress of task ${shortId(task.id)}`} tone={toneOf(task.status)} />
      </td>
      <td className="cell-error" data-testid="task-error">
        {task.error ? (
          <>
            {task.error.code && <code className="error-code">{task.error.code}</code>} <span className="error-message">{task.error.message}</span>
          </>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td>
        {task.lease ? <span className="mono">{task.lease.workerId}</span> : <span className="muted">—</span>}
      </td>
      <td>{task.startedAt && task.finishedAt ? formatDuration(Date.parse(task.finishedAt) - Date.parse(task.startedAt)) : <RelativeTime iso={task.updatedAt} />}</td>
      <td>
        <JsonDetails value={task.checkpoint} label="Checkpoint" />
      </td>
      <td>
        <JsonDetails value={task.result} label="Result" />
      </td>
    </tr>
  );
}

export function TaskTable({ stage }: { stage: Stage }) {
  const [status, setStatus] = useState<TaskStatus | ''>('');
  const [cursors, setCursors] = useState<string[]>([]); // cursors of the pages before the one shown
  const [cursor, setCursor] = useState('');
  const id = useId();
  const path = `/stages/${stage.id}/tasks${toQueryString({ status, limit: PAGE_SIZE, cursor })}`;
  const { live, version } = useContext(LiveContext);
  const tasks = usePolling(path, (signal) => api.listStageTasks(stage.id, { statuses: status ? [status] : [], limit: PAGE_SIZE, cursor }, signal), { poll: !live });
  // With the job's event stream open, each change loads the table again instead of a timer.
  const { refresh } = tasks;
  useEffect(() => {
    if (version > 0) refresh();
  }, [version, refresh]);
  const items = tasks.data?.items ?? [];
  const next = tasks.data?.nextCursor;

  const filterBy = (s: TaskStatus | '') => {
    setStatus(s);
    setCursor('');
    setCursors([]);
  };

  return (
    <div className="tasks" data-testid="task-table">
      <div className="tasks__bar">
        <label htmlFor={`${id}-status`}>Task status</label>
        <select id={`${id}-status`} value={status} onChange={(e) => filterBy(e.target.value as TaskStatus | '')}>
          <option value="">All</option>
          {TASK_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <span className="spacer" />
        <button
          type="button"
          className="button button--small"
          disabled={cursors.length === 0}
          onClick={() => {
            setCursor(cursors[cursors.length - 1] ?? '');
            setCursors(cursors.slice(0, -1));
          }}
        >
          Previous tasks
        </button>
        <button
          type="button"
          className="button button--small"
          disabled={!next}
          onClick={() => {
            if (!next) return;
            setCursors([...cursors, cursor]);
            setCursor(next);
          }}
        >
          Next tasks
        </button>
      </div>
      {tasks.error && <ProblemNotice error={tasks.error} />}
      {items.length === 0 ? (
        <Placeholder>{tasks.loading ? 'Loading tasks…' : status ? `No ${status} tasks.` : 'No tasks in this stage.'}</Placeholder>
      ) : (
        <div className="table-wrap">
          <table className="table table--compact">
            <caption className="sr-only">
              Tasks of stage {stage.order} ({stage.type})
            </caption>
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Attempts
                </th>
                <th scope="col">Progress</th>
                <th scope="col">Last error</th>
                <th scope="col">Worker</th>
                <th scope="col">Took / updated</th>
                <th scope="col">Checkpoint</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {items.map((t) => (
                <TaskRow key={t.id} task={t} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
