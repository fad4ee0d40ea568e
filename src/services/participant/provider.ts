/**
 * The Amazon Connect Participant Service of localconnect: what chatjs and the participant SDKs
 * call, authenticated by the bearer token in X-Amz-Bearer (the ParticipantToken for
 * CreateParticipantConnection, the ConnectionToken for the rest).
 *
 * Deviations from AWS: attachments, views and authentication operations are not implemented
 * (501); ConnectParticipant=true is accepted for every participant (AWS allows it for customers
 * only on streaming chats); receipts are not refused with ConflictException, as no chat has more
 * than two participants yet.
 */
import type { ConnectParticipantApi } from '../../generated/connectparticipant/api.ts';
import type * as S from '../../generated/connectparticipant/shapes.ts';
import type { RequestContext } from '../../aws/request-context.ts';
import type { ChatService } from '../../domain/chat/chat-service.ts';

export class ParticipantProvider implements ConnectParticipantApi {
  readonly #chats: ChatService;

  constructor(chats: ChatService) {
    this.#chats = chats;
  }

  createParticipantConnection(
    input: S.CreateParticipantConnectionRequest,
    ctx: RequestContext,
  ): Promise<S.CreateParticipantConnectionResponse> {
    return this.#chats.createConnection(ctx.bearerToken!, input);
  }

  sendMessage(input: S.SendMessageRequest, ctx: RequestContext): Promise<S.SendMessageResponse> {
    return this.#chats.sendMessage(ctx.bearerToken!, input);
  }

  sendEvent(input: S.SendEventRequest, ctx: RequestContext): Promise<S.SendEventResponse> {
    return this.#chats.sendEvent(ctx.bearerToken!, input);
  }

  getTranscript(input: S.GetTranscriptRequest, ctx: RequestContext): Promise<S.GetTranscriptResponse> {
    return this.#chats.getTranscript(ctx.bearerToken!, input) as Promise<S.GetTranscriptResponse>;
  }

  async disconnectParticipant(
    _input: S.DisconnectParticipantRequest,
    ctx: RequestContext,
  ): Promise<S.DisconnectParticipantResponse> {
    await this.#chats.disconnect(ctx.bearerToken!);
    return {};
  }
}
