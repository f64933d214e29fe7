import { describe, expect, it } from '@jest/globals';
import { PolicyConfigError, defineScopes } from '@valet/core';
import {
  Controller,
  Delete,
  Get,
  Post,
  Public,
  RequiresScope,
  Tool,
  Toolset,
  collectControllers,
  type ControllerClass,
} from '../src/index.js';

const scopes = defineScopes({
  'files:read': { description: 'Read files' },
  'files:write': { description: 'Write files', implies: ['files:read'] },
  admin: {},
});

function collectError(classes: ControllerClass[], options = {}): string {
  try {
    collectControllers(classes, options);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyConfigError);
    return (error as Error).message;
  }
  throw new Error('collectControllers did not throw');
}

describe('collectControllers: start-up errors', () => {
  it('refuses a route without a policy (default deny), naming the method', () => {
    @Controller('/files')
    class FilesController {
      @Delete('/:id') remove(): void {}
    }
    expect(collectError([FilesController])).toBe(
      'Route "DELETE /files/:id" (FilesController.remove) has no policy; add @RequiresScope(...) or @Public().',
    );
  });

  it('refuses an unknown scope against the catalog, with a did-you-mean, on the class and the method', () => {
    @Controller('/files')
    @RequiresScope('file:read')
    class FilesController {
      @Get('/:id') read(): void {}
      @Delete('/:id') @RequiresScope('files:wirte') remove(): void {}
    }
    expect(collectError([FilesController], { catalog: scopes })).toBe(
      'The controllers have 2 problems:\n' +
        '- @RequiresScope("file:read") on FilesController: unknown scope "file:read". Did you mean "files:read"?\n' +
        '- @RequiresScope("files:wirte") on FilesController.remove: unknown scope "files:wirte". Did you mean "files:write"?',
    );
  });

  it('refuses @Public() on a route of a restricted controller: a member cannot loosen its class', () => {
    @Controller('/files')
    @RequiresScope('files:read')
    class FilesController {
      @Get('/health') @Public() health(): void {}
    }
    expect(collectError([FilesController])).toBe(
      '@Public() on FilesController.health contradicts @RequiresScope("files:read") on FilesController: ' +
        "a member cannot loosen its class's requirement. Move health to a controller without class-level requirements, or remove @Public().",
    );
  });

  it('refuses a policy decorator on a method that is not a route', () => {
    @Controller('/files')
    class FilesController {
      @Get() @Public() list(): void {}
      @RequiresScope('files:read') helper(): void {}
    }
    expect(collectError([FilesController])).toBe(
      '@RequiresScope on FilesController.helper: the method is not a route; add @Get(...), @Post(...), ... or move the requirement to the class.',
    );
  });

  it('refuses a policy decorator on a static method that is not a route, as on any other', () => {
    @Controller('/files')
    class FilesController {
      @Get() @Public() list(): void {}
      @RequiresScope('files:read') static helper(): void {}
    }
    expect(collectError([FilesController])).toBe(
      '@RequiresScope on FilesController.helper: the method is not a route; add @Get(...), @Post(...), ... or move the requirement to the class.',
    );
  });

  it('refuses a class without @Controller(), saying what is missing', () => {
    @Public()
    class FilesController {
      @Get() list(): void {}
    }
    @Controller('/files')
    @Public()
    class BaseController {
      @Get() list(): void {}
    }
    class SubController extends BaseController {}
    class Plain {}
    expect(collectError([FilesController, SubController, Plain])).toBe(
      'The controllers have 3 problems:\n' +
        "- FilesController has route methods (@Get, @Post, ...) but is not marked @Controller(); add @Controller('/prefix') to the class.\n" +
        '- SubController is not marked @Controller(); its base BaseController is, but a subclass needs its own @Controller().\n' +
        '- Plain is not a controller; mark it @Controller() and declare its routes with @Get(...), @Post(...), ...',
    );
  });

  it('refuses two routes with one method and path, naming both', () => {
    @Controller('/files')
    @Public()
    class FilesController {
      @Get('/:id') read(): void {}
    }
    @Controller()
    @Public()
    class OtherController {
      @Get('/files/:id') fetch(): void {}
    }
    expect(collectError([FilesController, OtherController])).toBe(
      'Route "GET /files/:id" is declared twice: by FilesController.read and by OtherController.fetch. ' +
        'Routes must be unique; change the path or the method of one.',
    );
  });

  it('refuses bad prefixes, paths and options, a static route, two routes on one method, and a class listed twice', () => {
    @Controller('files/')
    @Public()
    class BadPrefix {
      @Get() list(): void {}
    }
    @Controller('/files')
    @Public()
    class Bad {
      @Get(':id') noSlash(): void {}
      @Get('/a', { status: 404 }) notFound(): void {}
      @Get('/b', { description: ' ', title: 7 as never }) blank(): void {}
      @Get('/c', 'text' as never) text(): void {}
      @Get('/d') @Post('/d') twice(): void {}
      @Get('/e') static helper(): void {}
    }
    expect(collectError([BadPrefix, Bad, Bad])).toBe(
      'The controllers have 9 problems:\n' +
        '- @Controller("files/") on BadPrefix: the prefix must be "" or a path like "/files" (leading "/", no trailing "/").\n' +
        '- @Get(":id") on Bad.noSlash: the path must be "" or start with "/", like "/:id".\n' +
        '- @Get on Bad.notFound: "status" must be an integer from 200 to 299; got 404.\n' +
        '- @Get on Bad.blank: "title" must be a string.\n' +
        '- @Get on Bad.blank: "description" must be a non-empty string.\n' +
        '- @Get on Bad.text: the options must be an object ({ title?, description?, status? }).\n' +
        '- Bad.twice has both @Get and @Post; a method is one route, so declare another method for the other.\n' +
        '- @Get on static Bad.helper: routes are instance methods (the controller is resolved from the container); remove "static".\n' +
        '- Bad is listed twice among the controllers; list it once.',
    );
  });

  it('refuses an MCP declaration on a controller method', () => {
    @Controller('/files')
    @Public()
    class FilesController {
      @Tool({ description: 'Read' }) read(): void {}
    }
    expect(collectError([FilesController])).toBe(
      '@Tool on FilesController.read: a controller declares routes (@Get, @Post, ...); move the tool to a @Toolset() class.',
    );
  });

  it('leaves toolsets alone: a toolset is not a controller', () => {
    @Toolset()
    @Public()
    class FileTools {
      @Tool({ description: 'Read' }) read(): void {}
    }
    expect(collectError([FileTools])).toBe(
      'FileTools is not a controller; mark it @Controller() and declare its routes with @Get(...), @Post(...), ...',
    );
  });
});
