import { formatDuration } from './format.ts';
import type { QueueStats } from './types.ts';
import { useNow } from './useNow.ts';

/**
 * The queues of the agent's routing profile. The oldest contact's age is as of the last state
 * pushed; it keeps counting here, as nothing else changes while a contact just waits.
 */
export function QueueStatsPanel({ queues, receivedAt }: { queues: QueueStats[]; receivedAt: number }) {
  const now = useNow();
  return (
    <section className="panel" data-testid="queue-stats" aria-labelledby="queues-title">
      <h2 id="queues-title" className="panel-title">
        Queues
      </h2>
      {queues.length === 0 ? (
        <p className="panel-empty">No queues in your routing profile.</p>
      ) : (
        <ul className="queue-list">
          {queues.map((q) => {
            const waiting = q.contactsInQueue > 0;
            const age = waiting ? q.oldestContactAgeSeconds * 1000 + Math.max(0, now - receivedAt) : 0;
            return (
              <li key={q.id} className="queue-row" data-testid="queue-row" data-queue-id={q.id}>
                <div className="queue-name">{q.name}</div>
                <dl className="queue-figures">
                  <div className={waiting ? 'waiting' : undefined}>
                    <dt>In queue</dt>
                    <dd data-testid="contacts-in-queue">{q.contactsInQueue}</dd>
                  </div>
                  <div>
                    <dt>Oldest</dt>
                    <dd data-testid="oldest-contact">{waiting ? formatDuration(age) : '—'}</dd>
                  </div>
                  <div>
                    <dt>Online</dt>
                    <dd data-testid="agents-online">{q.agentsOnline}</dd>
                  </div>
                  <div>
                    <dt>Available</dt>
                    <dd data-testid="agents-available">{q.agentsAvailable}</dd>
                  </div>
                </dl>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
