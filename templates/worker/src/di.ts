// tsyringe with its Reflect polyfill loaded first: import DI helpers from here, never from 'tsyringe' directly,
// so the polyfill is in place whichever module a test or entry point loads first.
import 'reflect-metadata';

export { container, inject, injectable, instanceCachingFactory, Lifecycle, type DependencyContainer } from 'tsyringe';
