import { HELM_MAJORS, helmPath } from '../scripts/helm';
import { PROJECT_ROOT } from '../src/render/assets';
import { Figure, medianTime, round } from './figures';

/** `helm template` of the production values with each Helm version. */
export async function run(): Promise<Figure[]> {
  return HELM_MAJORS.map((major) => {
    const seconds = medianTime(7, helmPath(major), ['template', 'session-database', 'charts/session-database', '-f', 'values/production.yaml', '-n', 'session-store'], PROJECT_ROOT);
    return { name: `helm${major}_template_s`, value: round(seconds), unit: 's', goal: '<= 0.3' };
  });
}
