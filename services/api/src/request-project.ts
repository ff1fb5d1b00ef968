// The caller's project, set by the host app's auth hook (services/server) before any /v2 route runs.
declare module 'fastify' {
  interface FastifyRequest {
    projectId: string;
  }
}

export {};
