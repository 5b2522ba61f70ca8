// The same system, an experiment in TypeScript: freeze the API for 2 seconds.
import { defineExperiment } from 'faultline';

export default defineExperiment({
  title: 'The API answers again right after a 2 s freeze',
  system: './faultline.yaml',
  hypothesis: {
    probes: [{ name: 'api healthy', http: 'http://127.0.0.1:7101/health', expect: { status: 200, latency: { max: '300ms' } } }],
  },
  method: [{ fault: 'pause', target: 'api', duration: '2s' }],
  recovery: { within: '2s', sustained: 3 },
});
