/** Where the integration tests' shared services run, decided once by test/global-setup.ts. */
export interface TestServices {
  kafkaBrokers: string[];
  clickhouseUrl: string;
  /** What every ClickHouse client of the tests sends (services.env or CLICKHOUSE_USER/_PASSWORD). */
  clickhouseUser: string;
  clickhousePassword: string;
  /** external: given by env; local: processes on this machine; docker: testcontainers. */
  mode: 'external' | 'local' | 'docker';
}

declare module 'vitest' {
  export interface ProvidedContext {
    services: TestServices;
  }
}
