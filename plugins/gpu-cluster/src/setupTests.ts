import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// The scaffolder forms render large trees; on a loaded 2-core CI machine the first render can
// take longer than testing-library's 1 s default, which made findBy* fail without a defect.
// Waiting longer changes no assertion: a missing element still fails, only later.
configure({ asyncUtilTimeout: 10_000 });
jest.setTimeout(60_000);
