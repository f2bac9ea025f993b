/**
 * The 8 classic RFM segments: R/F/M each high or low against the tenant average. "R high" means
 * recent (recency in days below the average); F and M high mean above the average. Equal to the
 * average counts as low. rfm.sql spells the same table as a CASE; a test keeps them in step.
 */
export const RFM_SEGMENTS = [
  { name: 'important value', labelZh: '重要价值', r: true, f: true, m: true },
  { name: 'important development', labelZh: '重要发展', r: true, f: false, m: true },
  { name: 'important retention', labelZh: '重要保持', r: false, f: true, m: true },
  { name: 'important recall', labelZh: '重要挽留', r: false, f: false, m: true },
  { name: 'general value', labelZh: '一般价值', r: true, f: true, m: false },
  { name: 'general development', labelZh: '一般发展', r: true, f: false, m: false },
  { name: 'general retention', labelZh: '一般保持', r: false, f: true, m: false },
  { name: 'general recall', labelZh: '一般挽留', r: false, f: false, m: false },
] as const;

export type RfmSegment = (typeof RFM_SEGMENTS)[number]['name'];
export const RFM_SEGMENT_NAMES = RFM_SEGMENTS.map((s) => s.name) as unknown as readonly [RfmSegment, ...RfmSegment[]];

/** The segment of a customer given whether R (recent), F and M are high. */
export function rfmSegmentOf(rHigh: boolean, fHigh: boolean, mHigh: boolean): RfmSegment {
  return RFM_SEGMENTS.find((s) => s.r === rHigh && s.f === fHigh && s.m === mHigh)!.name;
}

/** Customers whose segment is one of the "important" ones have M above the tenant average. */
export function isHighValueSegment(segment: RfmSegment): boolean {
  return segment.startsWith('important ');
}
