/** Contact flows for tests, in the form the flow designer exports them. */

export interface DesignerAction {
  Identifier: string;
  Type: string;
  Parameters: object;
  Transitions: object;
}

/** A flow as the designer exports it: UUID identifiers, layout metadata; starts at the first action. */
export function designerFlow(actions: DesignerAction[], name = 'test flow'): string {
  return JSON.stringify({
    Version: '2019-10-30',
    StartAction: actions[0].Identifier,
    Metadata: {
      entryPointPosition: { x: 40, y: 40 },
      ActionMetadata: Object.fromEntries(
        actions.map((a, i) => [a.Identifier, { position: { x: 200 * i, y: 40 } }]),
      ),
      name,
      type: 'contactFlow',
      status: 'published',
    },
    Actions: actions,
  });
}
