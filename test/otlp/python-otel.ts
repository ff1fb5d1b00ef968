import { venvPython } from '@tracehouse/test-support/python-venv';

/** The PyPI OpenTelemetry release the Python OTLP test exports with (SDK and exporter share it). */
export const OTEL_PY_VERSION = '1.45.2';

/** The python of a cached venv with the OpenTelemetry SDK and its OTLP/HTTP protobuf exporter. */
export function otelPython(basePython = 'python3'): Promise<string> {
  return venvPython(
    {
      name: `otel-py-${OTEL_PY_VERSION}`,
      packages: [
        `opentelemetry-sdk==${OTEL_PY_VERSION}`,
        `opentelemetry-exporter-otlp-proto-http==${OTEL_PY_VERSION}`,
      ],
      probe:
        "import importlib.metadata as m, opentelemetry.exporter.otlp.proto.http.trace_exporter; print(m.version('opentelemetry-sdk'))",
      version: OTEL_PY_VERSION,
    },
    basePython,
  );
}
