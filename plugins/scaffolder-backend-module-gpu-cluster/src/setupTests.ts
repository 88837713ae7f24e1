// These suites start servers, child processes (terraform, kubectl, the backend) and compile
// large CRD schemas. On a loaded 2-core machine their hooks need more than Jest's default 5 s;
// speed itself is measured by the bench scripts, not here. (testTimeout in package.json is a
// global option that `backstage-cli repo test` ignores per project, hence this call.)
jest.setTimeout(60_000);
