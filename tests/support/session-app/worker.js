// The session worker as the tests run it: ./record.js first (it copies every
// message the worker posts to the test server), then the package's worker.
import '/app/record.js';
import '/pkg/session/worker.js';
