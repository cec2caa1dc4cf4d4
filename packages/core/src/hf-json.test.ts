import { stringifyHfConfig } from './hf-json';

test('integral values of float fields get a decimal point; other numbers and strings are untouched', () => {
  const text = stringifyHfConfig(
    {
      dropout_rate: 0,
      initializer_factor: 1,
      layer_norm_epsilon: 1e-6,
      d_model: 512,
      note: 'x',
      nested: { dropout_rate: 2 },
    },
    ['dropout_rate', 'initializer_factor', 'layer_norm_epsilon'],
  );
  expect(text).toMatch(/"dropout_rate": 0\.0,/);
  expect(text).toMatch(/"initializer_factor": 1\.0,/);
  expect(text).toMatch(/"d_model": 512,/);
  expect(text).toMatch(/"dropout_rate": 2\.0\n/);
  const back = JSON.parse(text);
  expect(back).toEqual({
    dropout_rate: 0,
    initializer_factor: 1,
    layer_norm_epsilon: 1e-6,
    d_model: 512,
    note: 'x',
    nested: { dropout_rate: 2 },
  });
});
