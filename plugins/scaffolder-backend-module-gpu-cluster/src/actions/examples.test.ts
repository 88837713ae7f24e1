import { parse } from 'yaml';
import { catalogRegisterExamples } from './catalogRegister.examples';
import { destroyExamples } from './destroy.examples';
import { kubectlApplyExamples } from './kubectlApply.examples';
import { preflightExamples } from './preflight.examples';
import { renderExamples } from './render.examples';
import { terraformApplyExamples } from './terraformApply.examples';
import { updateExamples } from './update.examples';
import { validateExamples } from './validate.examples';

describe('action examples', () => {
  it.each([
    ['gpu-cluster:spec:validate', validateExamples],
    ['gpu-cluster:preflight', preflightExamples],
    ['gpu-cluster:stack:render', renderExamples],
    ['gpu-cluster:terraform:apply', terraformApplyExamples],
    ['gpu-cluster:kubectl:apply', kubectlApplyExamples],
    ['gpu-cluster:catalog:register', catalogRegisterExamples],
    ['gpu-cluster:destroy', destroyExamples],
    ['gpu-cluster:update', updateExamples],
  ])('%s examples are template steps using the action', (id, examples) => {
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      const steps = parse(example.example).steps as { action: string }[];
      expect(steps.map(s => s.action)).toContain(id);
      expect(example.description.length).toBeGreaterThan(10);
    }
  });
});
