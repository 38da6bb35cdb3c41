// Stylesheets imported from TypeScript are bundled by esbuild into dist/renderer/app.css.
declare module '*.css';
