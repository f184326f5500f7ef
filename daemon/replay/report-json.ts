// The JSON form of a replay report: the report object as is (REPORT_FORMAT names its version).
import type { ReplayReport } from './report.ts';

export function formatReportJson(report: ReplayReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
