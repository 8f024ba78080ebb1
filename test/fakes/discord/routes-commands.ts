/** REST routes for the application and its slash command registrations. */

import { ApiError, HttpStatus } from "./constants.js";
import { apiError, json, noContent, type RestRequest, type RestResponse, type Router } from "./http.js";
import type { RouteContext } from "./messages.js";
import { userPayload } from "./payloads.js";
import { isJson } from "./state.js";
import type { Json } from "./types.js";

const CHAT_INPUT_COMMAND = 1;
const GUILD_INSTALL = 0;

export function registerCommandRoutes(router: Router, context: RouteContext): void {
  const { state } = context;
  router.add("GET", "/applications/@me", () =>
    json({
      id: context.applicationId,
      name: state.botUser.username,
      description: "",
      bot_public: true,
      bot_require_code_grant: false,
      flags: 0,
      bot: userPayload(state.botUser),
      owner: userPayload(state.botUser),
      verify_key: "0".repeat(64),
    }),
  );

  const scopes: Array<[string, (request: RestRequest) => string | undefined]> = [
    ["/applications/:appId/commands", () => undefined],
    ["/applications/:appId/guilds/:guildId/commands", (request) => request.params.guildId],
  ];
  for (const [base, guildOf] of scopes) {
    /** Answers 403 for another application's commands, else runs the handler on this scope's list. */
    const inScope =
      (handler: (commands: Json[], guildId: string | undefined, request: RestRequest) => RestResponse) =>
      (request: RestRequest) => {
        if (request.params.appId !== context.applicationId)
          return apiError(HttpStatus.Forbidden, ApiError.MissingAccess);
        const guildId = guildOf(request);
        const scope = state.commandScope(guildId);
        if (!state.commands.has(scope)) state.commands.set(scope, []);
        return handler(state.commands.get(scope) ?? [], guildId, request);
      };

    router.add(
      "PUT",
      base,
      inScope((commands, guildId, { body }) => {
        const inputs = Array.isArray(body) ? body.filter(isJson) : [];
        const replaced = inputs.map((input) => registeredCommand(context, input, commands, guildId));
        commands.splice(0, commands.length, ...replaced);
        return json(replaced);
      }),
    );
    router.add(
      "GET",
      base,
      inScope((commands) => json(commands)),
    );
    router.add(
      "POST",
      base,
      inScope((commands, guildId, { body }) => {
        const command = registeredCommand(context, isJson(body) ? body : {}, commands, guildId);
        const index = commands.findIndex((existing) => existing.id === command.id);
        if (index === -1) commands.push(command);
        else commands[index] = command;
        return json(command, index === -1 ? HttpStatus.Created : HttpStatus.Ok);
      }),
    );
    router.add(
      "GET",
      `${base}/:commandId`,
      inScope((commands, _guildId, { params }) => {
        const command = commands.find((existing) => existing.id === params.commandId);
        return command ? json(command) : apiError(HttpStatus.NotFound, ApiError.UnknownApplicationCommand);
      }),
    );
    router.add(
      "DELETE",
      `${base}/:commandId`,
      inScope((commands, _guildId, { params }) => {
        const index = commands.findIndex((existing) => existing.id === params.commandId);
        if (index === -1) return apiError(HttpStatus.NotFound, ApiError.UnknownApplicationCommand);
        commands.splice(index, 1);
        return noContent();
      }),
    );
  }
}

/** A command as Discord echoes it: the input plus id (kept for a known name), application_id, version. */
function registeredCommand(context: RouteContext, input: Json, existing: Json[], guildId: string | undefined): Json {
  const type = input.type ?? CHAT_INPUT_COMMAND;
  const previous = existing.find((command) => command.name === input.name && command.type === type);
  return {
    description: "",
    options: [],
    default_member_permissions: null,
    nsfw: false,
    integration_types: [GUILD_INSTALL],
    contexts: null,
    name_localizations: null,
    description_localizations: null,
    ...input,
    type,
    id: previous?.id ?? context.state.ids.next(),
    application_id: context.applicationId,
    version: context.state.ids.next(),
    ...(guildId !== undefined && { guild_id: guildId }),
  };
}
