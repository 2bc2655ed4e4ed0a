/**
 * Given/When/Then for deciders: given past events, when a command is decided, then these events
 * (or this error). Used by the domain's unit tests; kept here because it is pure.
 */
export interface Decider<Command, State, Event> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState: State;
}

export interface DeciderThen<Event> {
  then(expected: Event[]): void;
  thenThrows(check: (error: unknown) => boolean): void;
}

export function deciderSpec<Command, State, Event>(decider: Decider<Command, State, Event>) {
  return {
    given(events: Event[]) {
      return {
        when(command: Command): DeciderThen<Event> {
          const run = () =>
            decider.decide(
              command,
              events.reduce((state, event) => decider.evolve(state, event), decider.initialState),
            );
          return {
            then(expected) {
              const actual = run();
              assertDeepEqual(actual, expected);
            },
            thenThrows(check) {
              let thrown: unknown = undefined;
              let threw = false;
              try {
                run();
              } catch (error) {
                threw = true;
                thrown = error;
              }
              if (!threw)
                throw new Error('Expected the command to be refused, but it was accepted');
              if (!check(thrown)) {
                throw new Error(
                  `The command was refused with an unexpected error: ${String(thrown)}`,
                );
              }
            },
          };
        },
      };
    },
  };
}

function assertDeepEqual(actual: unknown, expected: unknown): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`Expected events ${e}\n           but got ${a}`);
}
