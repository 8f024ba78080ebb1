/** Message components: a person clicking a button the bot put on a message (INTERACTION_CREATE type 3). */

import { ComponentType, InteractionType } from "./constants.js";
import { recordInteraction } from "./interactions.js";
import type { RouteContext } from "./messages.js";
import { type InteractionRecord, isJson, type StoredMessage } from "./state.js";
import type { ClickOptions, Json } from "./types.js";

/** Records a button click and returns its INTERACTION_CREATE payload; throws when there is no such button to click. */
export function createComponentInteraction(
  context: RouteContext,
  options: ClickOptions,
): { record: InteractionRecord; payload: Json } {
  const { message, channelId } = clickedMessage(context, options);
  const button = findButton(message.raw.components, options.customId);
  if (!button)
    throw new Error(
      `fake Discord: message ${String(message.raw.id)} has no button with custom_id "${options.customId}"`,
    );
  if (button.disabled === true) throw new Error(`fake Discord: the button "${options.customId}" is disabled`);
  return recordInteraction(
    context,
    { channelId, user: options.user, permissions: options.permissions, roles: options.roles },
    {
      type: InteractionType.MessageComponent,
      data: () => ({ custom_id: options.customId, component_type: ComponentType.Button }),
      payload: { message: message.raw },
      componentMessage: message,
    },
  );
}

function clickedMessage(context: RouteContext, options: ClickOptions): { message: StoredMessage; channelId: string } {
  const { state } = context;
  if (options.interactionId !== undefined) {
    const earlier = state.interactions.get(options.interactionId);
    if (!earlier?.original)
      throw new Error(`fake Discord: interaction ${options.interactionId} has no reply to click on`);
    return { message: earlier.original, channelId: options.channelId ?? earlier.channelId };
  }
  if (options.messageId === undefined || options.channelId === undefined) {
    throw new Error("fake Discord: click needs interactionId, or messageId and channelId");
  }
  const message = state.findMessage(options.channelId, options.messageId);
  if (!message)
    throw new Error(`fake Discord: click found no message ${options.messageId} in channel ${options.channelId}`);
  return { message, channelId: options.channelId };
}

/** The button with `customId` among a message's components (action rows hold the buttons). */
function findButton(components: unknown, customId: string): Json | undefined {
  if (!Array.isArray(components)) return undefined;
  for (const component of components.filter(isJson)) {
    if (component.type === ComponentType.Button && component.custom_id === customId) return component;
    const nested = findButton(component.components, customId);
    if (nested) return nested;
  }
  return undefined;
}
