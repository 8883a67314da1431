import { takeContractViolations } from '../support/contract';

/** Any response of the test that strays from openapi.json fails the test (see ContractValidator). */
function failOnViolations(): void {
  const violations = takeContractViolations();
  if (violations.length > 0) {
    throw new Error(`Responses that do not match openapi.json:\n${violations.join('\n')}`);
  }
}

afterEach(failOnViolations);
afterAll(failOnViolations);
