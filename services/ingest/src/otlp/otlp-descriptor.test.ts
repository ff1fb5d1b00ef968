import { describe, expect, it } from 'vitest';
import { descriptorFromProtos } from './descriptor-source.js';
import { otlpDescriptor } from './otlp-descriptor.gen.js';

describe('the generated OTLP descriptor', () => {
  it('is what the vendored .proto files compile to (regenerate with npm run gen:otlp)', () => {
    expect(JSON.parse(JSON.stringify(descriptorFromProtos()))).toEqual(otlpDescriptor);
  });
});
