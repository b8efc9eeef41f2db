// What the composition root uses of `health`: the module.
export { HealthModule } from './health.module';
