// What the composition root uses of `admin`: the module, and the console's static files (app.setup.ts serves them).
export { AdminModule } from './admin.module';
export { serveConsole } from './console/console-assets';
