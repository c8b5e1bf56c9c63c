// A failure the user can fix (bad token, unreachable API, wrong state folder): printed as one
// line with exit code 1, after nothing was changed.
export class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupError';
  }
}
