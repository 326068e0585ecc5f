/** A clock a test moves by hand; every processor, job and handler of a test reads the same one. */
export class FakeClock {
  constructor(public ms = Date.now()) {}
  now = () => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export const hours = (h: number) => h * 60 * 60 * 1000;
export const dayMs = hours(24);
