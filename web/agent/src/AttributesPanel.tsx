import { formatDateTime } from './format.ts';
import type { AgentContact } from './types.ts';

export function AttributesPanel({ contact }: { contact: AgentContact | undefined }) {
  const attributes = contact ? Object.entries(contact.attributes).sort(([a], [b]) => a.localeCompare(b)) : [];
  return (
    <section className="panel" data-testid="attributes" aria-labelledby="attributes-title">
      <h2 id="attributes-title" className="panel-title">
        Contact
      </h2>
      {!contact ? (
        <p className="panel-empty">No contact selected.</p>
      ) : (
        <>
          <dl className="facts">
            <dt>Customer</dt>
            <dd>{contact.customerName}</dd>
            <dt>Queue</dt>
            <dd>{contact.queue.name}</dd>
            <dt>Enqueued</dt>
            <dd>{formatDateTime(contact.enqueuedAt)}</dd>
            <dt>Connected</dt>
            <dd>{contact.connectedAt !== undefined ? formatDateTime(contact.connectedAt) : '—'}</dd>
            <dt>Contact ID</dt>
            <dd className="mono" title={contact.contactId}>
              {contact.contactId}
            </dd>
          </dl>
          {contact.description !== undefined && (
            <>
              <h3 className="panel-subtitle">Description</h3>
              <p className="contact-description" data-testid="description">
                {contact.description}
              </p>
            </>
          )}
          {contact.references && Object.keys(contact.references).length > 0 && (
            <>
              <h3 className="panel-subtitle">References</h3>
              <table className="attributes-table">
                <tbody>
                  {Object.entries(contact.references)
                    .sort(([a], [b]) => a.localeCompare(b))
                    .map(([name, ref]) => (
                      <tr key={name} data-testid="reference" data-key={name}>
                        <th scope="row">{name}</th>
                        <td>
                          {ref.Type === 'URL' && /^https?:\/\//.test(ref.Value ?? '') ? (
                            <a href={ref.Value} target="_blank" rel="noreferrer noopener">
                              {ref.Value}
                            </a>
                          ) : (
                            ref.Value
                          )}
                        </td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </>
          )}
          {contact.streams && (
            <>
              <h3 className="panel-subtitle">Streaming to</h3>
              <ul className="streams">
                {contact.streams.map((s) => (
                  <li key={s.streamingId} data-testid="stream" className="mono" title={s.streamingId}>
                    {s.endpointArn}
                  </li>
                ))}
              </ul>
            </>
          )}
          <h3 className="panel-subtitle">Attributes</h3>
          {attributes.length === 0 ? (
            <p className="panel-empty">No attributes.</p>
          ) : (
            <table className="attributes-table">
              <tbody>
                {attributes.map(([key, value]) => (
                  <tr key={key} data-testid="attribute" data-key={key}>
                    <th scope="row">{key}</th>
                    <td>{value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
