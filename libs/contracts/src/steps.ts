/** The five stages of the line, in their natural order. */
export const STEP_NAMES = ['ingest', 'analysis', 'mixing', 'mastering', 'packaging'] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** A stereo master skips mixing; a set of stems goes through every stage. */
export const ROUTE_STEREO_MASTER: readonly StepName[] = Object.freeze([
  'ingest',
  'analysis',
  'mastering',
  'packaging',
]);
export const ROUTE_STEMS: readonly StepName[] = Object.freeze([
  'ingest',
  'analysis',
  'mixing',
  'mastering',
  'packaging',
]);
/** A re-delivery runs only packaging on artifacts that already exist. */
export const ROUTE_REDELIVERY: readonly StepName[] = Object.freeze(['packaging']);

export function isStepName(value: unknown): value is StepName {
  return typeof value === 'string' && (STEP_NAMES as readonly string[]).includes(value);
}

/** The step after `step` in `route`, or null at the end of the route. */
export function nextStep(route: readonly StepName[], step: StepName): StepName | null {
  const i = route.indexOf(step);
  if (i < 0) throw new RangeError(`step ${step} is not on the route ${route.join(' > ')}`);
  return i + 1 < route.length ? route[i + 1] : null;
}

/** Routes must be non-empty, keep the natural order and name each step once. */
export function validateRoute(route: readonly string[]): string | null {
  if (route.length === 0) return 'route is empty';
  let last = -1;
  for (const s of route) {
    if (!isStepName(s)) return `unknown step "${s}"`;
    const i = STEP_NAMES.indexOf(s);
    if (i <= last) return `step "${s}" is out of order or repeated`;
    last = i;
  }
  return null;
}
