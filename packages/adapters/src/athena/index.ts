/** Athena analytics engine (Lambda side of the analytics port). */
export { AthenaAnalyticsEngine, AthenaQueryError, athenaLiteral, type AthenaAnalyticsEngineOptions } from './athena-analytics-engine';
