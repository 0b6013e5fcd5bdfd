// A Pod of about 1 KiB when stored: the shape a kubelet-managed pod has (labels, annotations,
// owner reference, one container with ports, env and resources, status with conditions).
// Numbered so that every key gets its own object; the fields the codec's protobuf subset does
// not know (e.g. spec.dnsPolicy) travel in the envelope's unknownFields, as in a real cluster
// where the schema lags the objects.
import type { codec } from '../../src/index.js'

export function benchPod(i: number): codec.KubeObject {
  const name = `web-7d9f8c6b5-${i.toString(36).padStart(5, '0')}`
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      // Set by create (uid, creationTimestamp, generation) or by reads (resourceVersion).
      uid: '',
      resourceVersion: '',
      generation: 0,
      creationTimestamp: '',
      labels: { app: 'web', 'pod-template-hash': '7d9f8c6b5', tier: 'frontend' },
      annotations: { 'kubernetes.io/config.seen': '2026-11-30T01:00:00.000000000Z', 'prometheus.io/scrape': 'true' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d9f8c6b5', uid: '4f1c2b9e-8a3d-4c5e-9f7a-1b2c3d4e5f60', controller: true },
      ],
    },
    spec: {
      nodeName: `node-${i % 100}`,
      serviceAccountName: 'default',
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      containers: [
        {
          name: 'web',
          image: 'registry.example.com/team/web:1.27.3',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: [
            { name: 'LOG_LEVEL', value: 'info' },
            { name: 'UPSTREAM', value: 'http://api.default.svc.cluster.local:8080' },
          ],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          imagePullPolicy: 'IfNotPresent',
        },
      ],
    },
    status: {
      phase: 'Running',
      hostIP: `10.0.${i % 250}.${(i * 7) % 250}`,
      podIP: `10.244.${i % 250}.${(i * 13) % 250}`,
      startTime: '2026-11-30T01:00:00Z',
      conditions: [
        { type: 'Initialized', status: 'True', lastTransitionTime: '2026-11-30T01:00:00Z' },
        { type: 'Ready', status: 'True', lastTransitionTime: '2026-11-30T01:00:05Z' },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: '2026-11-30T01:00:05Z' },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-11-30T01:00:00Z' },
      ],
    },
  }
}
