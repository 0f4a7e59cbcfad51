// A job's stages in order, as a vertical timeline of cards.
import { isFinalStatus } from '@jobnik/contracts/states';
import type { Stage } from '../../api/api-types.js';
import { Placeholder } from '../../components/section.js';
import { StageCard } from './stage-card.js';

/** Few stages: show every stage's tasks. Many: only the first stage still open (or the last). */
function openByDefault(stages: Stage[]): Set<string> {
  if (stages.length <= 3) return new Set(stages.map((s) => s.id));
  const active = stages.find((s) => !isFinalStatus(s.status)) ?? stages[stages.length - 1];
  return new Set(active ? [active.id] : []);
}

export function StageTimeline({ stages, onChanged }: { stages: Stage[]; onChanged: () => void }) {
  const sorted = [...stages].sort((a, b) => a.order - b.order);
  const open = openByDefault(sorted);
  return (
    <section aria-labelledby="stages-title" className="stages">
      <h2 id="stages-title">Stages</h2>
      {sorted.length === 0 ? (
        <Placeholder>This job has no stages yet.</Placeholder>
      ) : (
        <ol className="timeline">
          {sorted.map((s) => (
            <StageCard key={s.id} stage={s} initiallyOpen={open.has(s.id)} onChanged={onChanged} />
          ))}
        </ol>
      )}
    </section>
  );
}
