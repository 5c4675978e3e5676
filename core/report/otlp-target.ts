// Where a run's OpenTelemetry spans go, from --otlp or the standard OTEL_EXPORTER_OTLP_*
// variables. Apart from the exporter (otel.ts), so that reading the options does not load the SDK.

/** The OTLP/HTTP traces URL of an endpoint as OTEL_EXPORTER_OTLP_ENDPOINT names one (a base) or as --otlp may (either). */
export function tracesUrl(endpoint: string): string {
  const trimmed = endpoint.replace(/\/+$/, '');
  return trimmed.endsWith('/v1/traces') ? trimmed : `${trimmed}/v1/traces`;
}

/**
 * Where to export, from --otlp or the standard variables (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is
 * the full URL, OTEL_EXPORTER_OTLP_ENDPOINT a base; OTEL_EXPORTER_OTLP_HEADERS `k=v,k2=v2`), or
 * undefined when nothing asks for it. OTEL_SDK_DISABLED=true turns it off.
 */
export function otlpTarget(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): { url: string; headers: Record<string, string> } | undefined {
  if (env['OTEL_SDK_DISABLED']?.toLowerCase() === 'true' && flag === undefined) return undefined;
  const traces = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
  const base = env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  const url = flag !== undefined ? tracesUrl(flag) : traces ? traces : base ? tracesUrl(base) : undefined;
  if (url === undefined) return undefined;
  const headers: Record<string, string> = {};
  for (const raw of [env['OTEL_EXPORTER_OTLP_HEADERS'], env['OTEL_EXPORTER_OTLP_TRACES_HEADERS']])
    for (const pair of (raw ?? '').split(',')) {
      const at = pair.indexOf('=');
      if (at > 0) headers[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
    }
  return { url, headers };
}
