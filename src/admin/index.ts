// What the composition root uses of `admin`: the module.
export { AdminModule } from './admin.module';
