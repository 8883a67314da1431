// Runs the @nestjs/swagger CLI plugin under ts-jest, as `nest build` does (nest-cli.json), so that
// the OpenAPI document the tests read is the one the server serves.
const plugin = require('@nestjs/swagger/plugin');
const { compilerOptions } = require('../../nest-cli.json');

const options = compilerOptions.plugins.find((p) => p.name === '@nestjs/swagger').options;

module.exports = {
  name: 'nestjs-swagger-plugin',
  version: 1,
  factory: (compiler) => plugin.before(options, compiler.program),
};
